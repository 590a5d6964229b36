from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.submission_list, name="list"),
    path("new/", views.type_list, name="types"),
    path("new/<slug:slug>/", views.submission_create, name="create"),
    path("<str:reference>/", views.submission_detail, name="detail"),
    path("<str:reference>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
