from django.urls import path

from delivery import views

app_name = "delivery"
urlpatterns = [
    path("webhook/", views.zammad_webhook, name="webhook"),
]
