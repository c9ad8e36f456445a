from django.urls import path

from hms.accounts import apis

urlpatterns = [
    path("login/", apis.LoginApi.as_view(), name="login"),
    path("token/refresh/", apis.TokenRefreshApi.as_view(), name="token-refresh"),
    path("logout/", apis.LogoutApi.as_view(), name="logout"),
    path("profile/", apis.ProfileApi.as_view(), name="profile"),
    path("profile/capabilities/", apis.CapabilitiesApi.as_view(), name="profile-capabilities"),
    path("profile/password/", apis.PasswordChangeApi.as_view(), name="profile-password"),
    path("users/", apis.UserListCreateApi.as_view(), name="user-list"),
    path("users/<uuid:public_id>/", apis.UserDetailApi.as_view(), name="user-detail"),
    path(
        "users/<uuid:public_id>/deactivate/",
        apis.UserDeactivateApi.as_view(),
        name="user-deactivate",
    ),
    path("users/<uuid:public_id>/activate/", apis.UserActivateApi.as_view(), name="user-activate"),
    path(
        "users/<uuid:public_id>/reset-password/",
        apis.UserPasswordResetApi.as_view(),
        name="user-reset-password",
    ),
    # Doctors (product brief: POST/GET /doctors/)
    path("doctors/", apis.DoctorListCreateApi.as_view(), name="doctor-list"),
    path("doctors/<uuid:public_id>/", apis.DoctorDetailApi.as_view(), name="doctor-detail"),
]
