from django.urls import path

from hms.web import views

app_name = "web"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("account/", views.account, name="account"),
    path("portal/", views.portal, name="portal"),
    path("workspace/", views.workspace, name="workspace"),
    path("staff/", views.staff, name="staff"),
]
