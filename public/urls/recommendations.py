from django.urls import path

from public import feeds
from public.views import recommendations as views
from public.views import report_pdf

app_name = "recommendations"

urlpatterns = [
    path("", views.progress_report, name="home"),
    path("recommendations/", views.RecommendationListView.as_view(), name="list"),
    path("recommendations/<int:number>/", views.RecommendationDetailView.as_view(), name="detail"),
    path(
        "recommendations/<int:number>/evidence/<int:pk>/",
        views.evidence_download,
        name="evidence",
    ),
    path(
        "recommendations/<int:number>/feed/",
        feeds.RecommendationUpdatesFeed(),
        name="detail-feed",
    ),
    path("recommendations.csv", views.recommendations_csv, name="download-csv"),
    path("recommendations.json", views.recommendations_json, name="download-json"),
    path(
        "organisations/<slug:slug>/", views.OrganisationDetailView.as_view(), name="organisation"
    ),
    path(
        "organisations/<slug:slug>/feed/",
        feeds.OrganisationUpdatesFeed(),
        name="organisation-feed",
    ),
    path("updates/feed/", feeds.UpdatesFeed(), name="feed"),
    path("report/<int:year>/", views.annual_report, name="report"),
    path("report/<int:year>.pdf", report_pdf.annual_report_pdf, name="report-pdf"),
]
