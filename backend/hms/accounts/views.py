"""Session sign-in for the web portal. Same lockout and audit as the API login."""

from django import forms
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from hms.accounts.services import auth_authenticate
from hms.core.errors import ApplicationError
from hms.core.models import AuditAction
from hms.core.services import audit_record


class SignInForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(strip=False, widget=forms.PasswordInput)


@never_cache
@csrf_protect
def session_login(request):
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = auth_authenticate(request=request, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(next_url)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
@csrf_protect
def session_logout(request):
    if request.user.is_authenticated:
        audit_record(actor=request.user, action=AuditAction.LOGOUT, resource_type="session")
    logout(request)
    return redirect("session-login")
