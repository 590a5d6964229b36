from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "OX Helpdesk Portal"
admin.site.site_title = "OX Helpdesk Portal"
admin.site.index_title = "Support staff"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="tickets:list", permanent=False)),
    path("accounts/", include("accounts.urls")),
    path("tickets/", include("tickets.urls")),
    path("zammad/", include("delivery.urls")),
    path("api/v1/", include("api.urls")),
    path("api-tokens/", include("api.token_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
