"""Every public URL. Each part keeps its own namespace (`recommendations:detail`,
`boards:meeting`, `public:contact`): partners link to these URLs and code reverses the names."""

from django.urls import include, path

urlpatterns = [
    path("boards/", include("public.urls.boards")),
    path("owners/", include("public.urls.owners")),
    path("", include("public.urls.pages")),
    path("", include("public.urls.recommendations")),
]
