"""Forms for accounts; Flask-WTF adds the CSRF token to each."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from .accounts import MAX_DISPLAY_NAME_LENGTH, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


def new_password_field(label: str) -> PasswordField:
    """A field for choosing a password, with the length rules stated in its message."""
    return PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use at least {MIN_PASSWORD_LENGTH} characters for your password.",
            ),
        ],
    )


def current_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


class SignupForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    display_name = StringField(
        "Display name", validators=[DataRequired(), Length(max=MAX_DISPLAY_NAME_LENGTH)]
    )
    password = new_password_field("Password")
    role = RadioField(
        "I am a",
        choices=[SelectChoice("learner", "Learner"), SelectChoice("teacher", "Teacher")],
        default="learner",
        validators=[DataRequired()],
    )


class ConfirmSignupForm(FlaskForm):
    """The password chosen at sign-up: proof that whoever confirms also chose it."""

    password = current_password_field("The password you chose when signing up")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = current_password_field()
    remember = BooleanField("Keep me signed in on this device")


class ReauthenticateForm(FlaskForm):
    password = current_password_field()


class ChangePasswordForm(FlaskForm):
    current_password = current_password_field("Current password")
    new_password = new_password_field("New password")


class ChangeEmailForm(FlaskForm):
    email = EmailField("New email address", validators=[DataRequired(), Length(max=254)])
    password = current_password_field("Your password")


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = new_password_field("New password")


class LogoutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST."""


class ConfirmForm(FlaskForm):
    """Only the CSRF token: a button that acts on a link (a mail scanner's GET changes nothing)."""
