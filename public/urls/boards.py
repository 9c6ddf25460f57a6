from django.urls import path, register_converter

from public.converters import IsoDateConverter
from public.views import boards as views
from public.views import calendars

register_converter(IsoDateConverter, "isodate")

app_name = "boards"

urlpatterns = [
    path("", views.BoardListView.as_view(), name="index"),
    path("<slug:slug>/", views.BoardDetailView.as_view(), name="detail"),
    path("<slug:slug>/meetings.ics", calendars.board_meetings_ics, name="calendar"),
    path("<slug:slug>/<isodate:date>/", views.MeetingDetailView.as_view(), name="meeting"),
]
