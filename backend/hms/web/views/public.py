"""Public pages: home, sign-in, sign-up, password reset, sign-out; the user's own account."""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from hms.accounts import services as account_services
from hms.core.errors import ApplicationError
from hms.patients import services as patient_services
from hms.patients.models import Sex
from hms.web.forms import (
    PasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
    ProfileForm,
    SignInForm,
    SignUpForm,
)
from hms.web.navigation import home_url_name_for
from hms.web.throttle import signup_attempt
from hms.web.views.base import (
    SESSION_BACKEND,
    form_status,
    portal_page,
)

# --- Public ---------------------------------------------------------------------------------


@never_cache
def home(request):
    if request.user.is_authenticated:
        return redirect(home_url_name_for(request.user))
    return render(request, "web/public/home.html")


@never_cache
@csrf_protect
def sign_in(request):
    """Session sign-in: the same lockout and audit as the API login (auth_authenticate)."""
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_services.auth_authenticate(request=request, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend=SESSION_BACKEND)
            return redirect(next_url)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "web/public/sign_in.html", {"form": form, "next": next_url}, status=status
    )


@require_POST
@csrf_protect
def sign_out(request):
    """End the session (audited), with a note on the sign-in page."""
    if request.user.is_authenticated:
        account_services.auth_session_end(user=request.user)
    logout(request)
    messages.info(request, "You have been signed out.")
    return redirect("session-login")


def _register_patient(data: dict):
    return patient_services.patient_account_register(
        username=data["username"],
        password=data["password1"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone=data["phone"],
        date_of_birth=data["date_of_birth"],
        sex=data["sex"] or Sex.UNKNOWN,
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(home_url_name_for(request.user))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and (wait := signup_attempt(request)) is not None:
        # Checked before the form: a blocked address learns nothing (not even "username taken").
        form = SignUpForm(request.POST)
        form.errors.clear()
        minutes = math.ceil(wait / 60)
        form.add_error(
            None,
            "Too many sign-up attempts from your network. Please try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}.",
        )
        response = render(request, "web/public/signup.html", {"form": form}, status=429)
        response["Retry-After"] = str(wait)
        return response
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _register_patient(data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            # Sign in through the one sign-in path, so it is audited like any other.
            user = account_services.auth_authenticate(
                request=request, username=data["username"], password=data["password1"]
            )
            login(request, user, backend=SESSION_BACKEND)
            messages.success(request, f"Welcome, {user.first_name}! Your account is ready.")
            return redirect("web:portal")
    return render(
        request, "web/public/signup.html", {"form": form}, status=form_status(request, form)
    )


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    template_name = "web/public/password_reset_form.html"
    email_template_name = "web/email/password_reset_email.txt"
    subject_template_name = "web/email/password_reset_subject.txt"
    success_url = reverse_lazy("web:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/public/password_reset_done.html"

    def get_context_data(self, **kwargs):
        hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
        return super().get_context_data(timeout_hours=hours, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm
    template_name = "web/public/password_reset_confirm.html"
    success_url = reverse_lazy("web:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        account_services.password_reset_by_email_finalize(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/public/password_reset_complete.html"


# --- Signed in: every role --------------------------------------------------------------------


@portal_page()
@require_http_methods(["GET", "POST"])
def account(request):
    user = request.user
    initial = {f: getattr(user, f) for f in ("first_name", "last_name", "email", "phone")}
    profile_form = ProfileForm(initial=initial, prefix="profile")
    password_form = PasswordChangeForm(prefix="password")
    if request.method == "POST":
        if request.POST.get("form") == "password":
            password_form = PasswordChangeForm(request.POST, prefix="password")
            if password_form.is_valid():
                data = password_form.cleaned_data
                try:
                    user = account_services.password_change(
                        user=user,
                        current_password=data["current_password"],
                        new_password=data["new_password1"],
                    )
                except ApplicationError as exc:
                    password_form.add_service_error(exc)
                else:
                    update_session_auth_hash(request, user)
                    messages.success(request, "Your password was changed.")
                    return redirect("web:account")
        else:
            profile_form = ProfileForm(request.POST, initial=initial, prefix="profile")
            if profile_form.is_valid():
                changes = {
                    k: v for k, v in profile_form.cleaned_data.items() if v != initial.get(k)
                }
                try:
                    account_services.profile_update(user=user, **changes)
                except ApplicationError as exc:
                    profile_form.add_service_error(exc)
                else:
                    messages.success(request, "Your details were saved.")
                    return redirect("web:account")
    status = 400 if profile_form.errors or password_form.errors else 200
    return render(
        request,
        "web/account/account.html",
        {"profile_form": profile_form, "password_form": password_form},
        status=status,
    )
