from django.urls import path
from rest_framework.routers import DefaultRouter

from .sites import ApplicationSiteViewSet
from .version_move import MoveVersionView, VersionMoveViewSet
from .views import AnswerViewSet, AssessmentViewSet, TransitionViewSet

router = DefaultRouter()
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register(r"assessments/(?P<assessment_pk>\d+)/answers", AnswerViewSet, basename="assessment-answer")
router.register(r"assessments/(?P<assessment_pk>\d+)/transitions", TransitionViewSet, basename="assessment-transition")
router.register(
    r"assessments/(?P<assessment_pk>\d+)/version-moves", VersionMoveViewSet, basename="assessment-version-move"
)
# The sites of a multi-site application (issue 16).
router.register(r"assessments/(?P<assessment_pk>\d+)/sites", ApplicationSiteViewSet, basename="assessment-site")
urlpatterns = [
    *router.urls,
    path("assessments/<int:assessment_pk>/move-version/", MoveVersionView.as_view(), name="assessment-move-version"),
]
