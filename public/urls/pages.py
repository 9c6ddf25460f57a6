from django.urls import path

from public.views import data
from public.views import pages as views

app_name = "public"

urlpatterns = [
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("contact/", views.ContactView.as_view(), name="contact"),
    path("data/", data.data_dictionary, name="data"),
    path("feeds/", views.FeedsView.as_view(), name="feeds"),
    path("datapackage.json", data.datapackage, name="datapackage"),
]
