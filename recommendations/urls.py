from django.urls import path

from recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("recommendations.csv", views.recommendations_csv, name="download-csv"),
    path("recommendations.json", views.recommendations_json, name="download-json"),
]
