from django.urls import path

app_name = "assessments"

urlpatterns: list = [
    # pages arrive with the self-assessment workflow
    path("", lambda request: __import__("django.http").http.HttpResponse("assessments"), name="list"),
]
