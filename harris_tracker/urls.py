from django.contrib import admin
from django.urls import include, path

from harris_tracker import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("public.urls")),
]

handler500 = views.server_error
