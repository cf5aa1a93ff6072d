"""The teacher's pages under /teach: classes, problem sets, assignments, gradebooks.

Every view here is for teachers only (checked once, before any view runs:
anonymous people go to sign in, learners get 403), and every class, set,
assignment, student or attempt is loaded through a service that takes the
teacher's id, so anything outside their classes is a 404. No view shows a
student's notes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from question_bank.registry import generate

from . import assignments, classes, gradebook, problem_sets, rulings
from .auth_session import safe_next
from .content import template_index
from .extensions import db
from .gradebook_csv import gradebook_csv
from .projections import read_settings
from .routing import form_id
from .teaching_errors import TeachingError

bp = Blueprint("teach", __name__, url_prefix="/teach")


def _now() -> datetime:
    return datetime.now(UTC)


@bp.before_request
def _refuse_non_teachers():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_teacher:
        abort(403)
    return None


@bp.app_template_filter("teach_time")
def teach_time(moment: datetime | None, timezone: str) -> str:
    """Show a UTC instant in the teacher's time zone."""
    if moment is None:
        return "–"
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def _timezone() -> str:
    return read_settings(db.session, current_user.id).timezone


def _class(class_id: int):
    return classes.teacher_class(db.session, current_user.id, class_id) or abort(404)


def _set(set_id: int):
    return problem_sets.teacher_set(db.session, current_user.id, set_id) or abort(404)


def _assignment(assignment_id: int):
    found = assignments.teacher_assignment(db.session, current_user.id, assignment_id)
    return found or abort(404)


# -- classes ---------------------------------------------------------------------


@bp.get("/")
def index():
    return _index_page()


def _index_page(form=None, errors=None, status: int = 200):
    """The teacher's home; after a refused new class, its form keeps the name typed."""
    page = render_template(
        "teach/index.html", summaries=classes.teacher_classes(db.session, current_user.id),
        waiting=len(rulings.undecided(db.session, current_user.id)),
        sets=problem_sets.teacher_sets(db.session, current_user.id),
        errors=errors or {}, form=form or {},
    )  # fmt: skip
    return page, status


@bp.post("/classes")
def create_class():
    try:
        classroom = classes.create_class(
            db.session, current_user.id, request.form.get("name", ""), _now()
        )
    except TeachingError as error:
        db.session.rollback()
        return _index_page(request.form, {error.field: error.message}, status=400)
    db.session.commit()
    flash(f"Class “{classroom.name}” created. Share its join code with your students.", "success")
    return redirect(url_for(".class_page", class_id=classroom.id))


@bp.get("/classes/<int:class_id>")
def class_page(class_id: int):
    return _class_page(_class(class_id))


def _class_page(classroom, form=None, errors=None, status: int = 200):
    """The class page; after a refused assignment, its form keeps what the teacher typed."""
    page = render_template(
        "teach/class.html", classroom=classroom,
        students=classes.class_students(db.session, classroom.id),
        assigned=assignments.class_assignments(db.session, classroom.id),
        sets=problem_sets.teacher_sets(db.session, current_user.id),
        **_assign_form(form, errors),
    )  # fmt: skip
    return page, status


def _assign_form(form, errors) -> dict:
    """What an assign form shows: the teacher's zone, the values (typed, or now and a week
    from now) and any errors."""
    timezone, now = _timezone(), _now()
    return {"timezone": timezone, "form": form or {}, "errors": errors or {},
            "default_open": assignments.to_local(now, timezone),
            "default_due": assignments.to_local(now + timedelta(days=7), timezone)}  # fmt: skip


def _back_to_class(classroom, message: str | None = None):
    db.session.commit()
    if message:
        flash(message, "success")
    return redirect(url_for(".class_page", class_id=classroom.id))


def _fail(error: TeachingError, target: str):
    db.session.rollback()
    flash(error.message, "error")
    return redirect(target), 303


@bp.post("/classes/<int:class_id>/rename")
def rename_class(class_id: int):
    classroom = _class(class_id)
    try:
        classes.rename_class(classroom, request.form.get("name", ""))
    except TeachingError as error:
        return _fail(error, url_for(".class_page", class_id=class_id))
    return _back_to_class(classroom, "Class renamed.")


@bp.post("/classes/<int:class_id>/archive")
def archive_class(class_id: int):
    classroom = _class(class_id)
    if request.form.get("action") == "unarchive":
        classes.unarchive_class(classroom)
        return _back_to_class(
            classroom, "Class restored. Rotate the join code to let students join."
        )
    classes.archive_class(classroom, _now())
    return _back_to_class(classroom, "Class archived; joining is off.")


@bp.post("/classes/<int:class_id>/code")
def join_code(class_id: int):
    classroom = _class(class_id)
    if request.form.get("action") == "disable":
        classes.disable_code(classroom)
        return _back_to_class(classroom, "Joining is off. Rotate the code to turn it on again.")
    try:
        classes.rotate_code(classroom)
    except TeachingError as error:
        return _fail(error, url_for(".class_page", class_id=class_id))
    return _back_to_class(classroom, "New join code made; the old one no longer works.")


@bp.post("/classes/<int:class_id>/students/<int:student_id>/remove")
def remove_student(class_id: int, student_id: int):
    classroom = _class(class_id)
    if classes.remove_student(db.session, classroom, student_id, _now()) is None:
        abort(404)
    return _back_to_class(classroom, "Student removed from the class.")


@bp.post("/classes/<int:class_id>/assign")
def assign(class_id: int):
    classroom = _class(class_id)
    problem_set = _set(form_id(request.form.get("set_id")) or 0)
    timezone = _timezone()
    form = request.form
    try:
        opens = assignments.parse_local(form.get("opens_at"), timezone, "opens_at")
        due = assignments.parse_local(form.get("due_at"), timezone, "due_at")
        assignments.assign_set(db.session, problem_set, classroom, opens, due, _now())
    except TeachingError as error:
        if error.field == "classroom_id":  # archived meanwhile: neither page shows its form
            return _fail(error, url_for(".class_page", class_id=class_id))
        db.session.rollback()
        errors = {error.field: error.message}
        if form.get("from") == "set":  # the set page has a form per class
            return _set_page(problem_set, form, errors, classroom.id, status=400)
        return _class_page(classroom, form, errors, status=400)
    return _back_to_class(classroom, f"“{problem_set.title}” assigned.")


# -- problem sets ------------------------------------------------------------------


@bp.get("/sets")
def sets():
    summaries = problem_sets.teacher_sets(db.session, current_user.id)
    return render_template("teach/sets.html", summaries=summaries)


def _builder(form, errors, previews=None, status=200):
    page = render_template(
        "teach/set_form.html", templates=list(template_index().values()), form=form,
        errors=errors, previews=previews or [], modes=problem_sets.MODES,
    )  # fmt: skip
    return page, status


def _examples(template_id: str, level: int, count: int = 2):
    return [generate(template_id, 1000 + n, level) for n in range(count)]


@bp.route("/sets/new", methods=["GET", "POST"])
def new_set():
    if request.method == "GET":
        return _builder({}, {})
    form = request.form
    try:
        items = problem_sets.parse_items(form)
        if form.get("action") == "preview":
            problem_sets.validate_items(items)
            previews = [(item, _examples(item.template_id, item.level)) for item in items]
            return _builder(form, {}, previews)
        settings = problem_sets.parse_settings(form, items)
    except TeachingError as error:
        return _builder(form, {error.field: error.message}, status=400)
    problem_set = problem_sets.create_set(db.session, current_user.id, settings, _now())
    db.session.commit()
    flash("Problem set saved. Assign it to a class below.", "success")
    return redirect(url_for(".show_set", set_id=problem_set.id))


@bp.get("/preview")
def preview():
    """A fragment with example variants and their solutions, for the builder's live preview."""
    template = template_index().get(request.args.get("template_id", "")) or abort(404)
    level = request.args.get("level", type=int) or template.levels[0]
    if level not in template.levels:
        abort(404)
    return render_template("teach/_preview.html", template=template,
                           problems=_examples(template.id, level))  # fmt: skip


@bp.get("/sets/<int:set_id>")
def show_set(set_id: int):
    return _set_page(_set(set_id))


def _set_page(problem_set, form=None, errors=None, class_id: int | None = None,
              status: int = 200):  # fmt: skip
    """The set page; after a refused assignment, the form for `class_id` keeps its values."""
    items = problem_sets.set_items(db.session, problem_set.id)
    page = render_template(
        "teach/set.html", problem_set=problem_set, items=items,
        problems=problem_sets.set_problems(items),
        summaries=[s for s in classes.teacher_classes(db.session, current_user.id)
                   if s.classroom.archived_at is None],
        form_class_id=class_id, **_assign_form(form, errors),
    )  # fmt: skip
    return page, status


@bp.post("/sets/<int:set_id>/duplicate")
def duplicate_set(set_id: int):
    copy = problem_sets.duplicate_set(db.session, _set(set_id), _now())
    db.session.commit()
    flash("Set duplicated.", "success")
    return redirect(url_for(".show_set", set_id=copy.id))


# -- gradebook ---------------------------------------------------------------------


@bp.get("/assignments/<int:assignment_id>")
def gradebook_page(assignment_id: int):
    return _gradebook_page(_assignment(assignment_id))


def _gradebook_page(scoped, form=None, errors=None, status: int = 200):
    """The gradebook; after refused new dates, their form keeps what the teacher typed."""
    shown = request.args.get("status") or None
    sort = request.args.get("sort", "name")
    book = gradebook.gradebook(
        db.session, scoped, status=shown, sort=sort if sort in gradebook.SORTS else "name"
    )
    timezone = _timezone()
    page = render_template(
        "teach/gradebook.html", book=book, scoped=scoped, status=shown, sort=sort,
        statuses=gradebook.STATUSES, labels=gradebook.STATUS_LABELS, timezone=timezone,
        form=form or {}, errors=errors or {},
        default_open=assignments.to_local(scoped.assignment.opens_at, timezone),
        default_due=assignments.to_local(scoped.assignment.due_at, timezone),
    )  # fmt: skip
    return page, status


@bp.post("/assignments/<int:assignment_id>/dates")
def change_dates(assignment_id: int):
    scoped = _assignment(assignment_id)
    timezone, form = _timezone(), request.form
    try:
        opens = assignments.parse_local(form.get("opens_at"), timezone, "opens_at")
        due = assignments.parse_local(form.get("due_at"), timezone, "due_at")
        assignments.change_dates(scoped.assignment, scoped.classroom, opens, due)
    except TeachingError as error:
        db.session.rollback()
        return _gradebook_page(scoped, form, {error.field: error.message}, status=400)
    db.session.commit()
    flash(f"Dates changed: now due {teach_time(due, timezone)} ({timezone}).", "success")
    return redirect(url_for(".gradebook_page", assignment_id=assignment_id))


@bp.post("/assignments/<int:assignment_id>/withdraw")
def withdraw(assignment_id: int):
    scoped = _assignment(assignment_id)
    if request.form.get("action") == "restore":
        assignments.restore(scoped.assignment)
        message = "Assignment restored: it is back in your students' queues."
    else:
        assignments.withdraw(scoped.assignment, _now())
        message = "Assignment withdrawn: students no longer see it. Their answers are kept."
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".gradebook_page", assignment_id=assignment_id))


@bp.get("/assignments/<int:assignment_id>/gradebook.csv")
def gradebook_download(assignment_id: int):
    scoped = _assignment(assignment_id)
    text = gradebook_csv(gradebook.gradebook(db.session, scoped))
    # The byte-order mark is how Excel knows the file is UTF-8 (else "Zoë" opens as "ZoÃ«").
    response = Response(text.encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="gradebook-{scoped.assignment.id}.csv"'
    )
    return response


@bp.get("/assignments/<int:assignment_id>/items")
def item_analysis(assignment_id: int):
    scoped = _assignment(assignment_id)
    return render_template(
        "teach/items.html", scoped=scoped, items=gradebook.item_analysis(db.session, scoped),
        retention=gradebook.class_retention(db.session, scoped, _now()),
    )  # fmt: skip


@bp.get("/assignments/<int:assignment_id>/students/<int:student_id>/problems/<int:index>")
def drill_down(assignment_id: int, student_id: int, index: int):
    scoped = _assignment(assignment_id)
    found = gradebook.drill_down(db.session, scoped, student_id, index) or abort(404)
    problem = generate(found.problem.template_id, found.seed, found.problem.level)
    return render_template("teach/drill.html", found=found, problem=problem,
                           labels=gradebook.STATUS_LABELS)  # fmt: skip


# -- rulings and late answers ------------------------------------------------------


@bp.get("/undecided")
def undecided():
    # Each with its problem: a teacher rules on the answer to what was asked.
    templates = template_index()
    waiting = [(*row, _problem_of(row[0], templates))
               for row in rulings.undecided(db.session, current_user.id)]  # fmt: skip
    return render_template("teach/undecided.html", waiting=waiting, templates=templates)


def _problem_of(attempt, templates):
    """The problem an attempt answered, or None if its template has left the bank."""
    if attempt.template_id not in templates:
        return None
    return generate(attempt.template_id, attempt.seed, attempt.level)


def _attempt(student_id: int, attempt_id: str):
    found = rulings.teacher_attempt(db.session, current_user.id, student_id, attempt_id)
    return found or abort(404)


def _after_decision(scoped) -> str:
    target = safe_next(request.form.get("next"))  # a path here: no host, no control characters
    if target is not None and target.startswith("/teach/"):
        return target
    return url_for(".gradebook_page", assignment_id=scoped.assignment.id)


@bp.post("/attempts/<int:student_id>/<attempt_id>/rule")
def rule(student_id: int, attempt_id: str):
    scoped = _attempt(student_id, attempt_id)
    try:
        rulings.rule(db.session, current_user.id, scoped, request.form.get("status", ""), _now())
    except TeachingError as error:
        return _fail(error, _after_decision(scoped))
    db.session.commit()
    flash(f"Ruled {request.form['status']} for {scoped.student.display_name}.", "success")
    return redirect(_after_decision(scoped))


@bp.post("/attempts/<int:student_id>/<attempt_id>/accept")
def accept_late(student_id: int, attempt_id: str):
    scoped = _attempt(student_id, attempt_id)
    try:
        rulings.accept_late(db.session, current_user.id, scoped, _now())
    except TeachingError as error:
        return _fail(error, _after_decision(scoped))
    db.session.commit()
    flash("Late answer accepted: it counts as on time.", "success")
    return redirect(_after_decision(scoped))


__all__ = ["bp"]
