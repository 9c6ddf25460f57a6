from django.urls import path

from public.views import owners as views

app_name = "owners"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent/", views.PasswordResetSentView.as_view(), name="password-reset-sent"
    ),
    path("password/set/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password-set"),
    path("password/set/done/", views.PasswordSetDoneView.as_view(), name="password-set-done"),
    path("recommendations/<int:number>/", views.recommendation, name="recommendation"),
    path("submissions/<int:pk>/", views.submission, name="submission"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
