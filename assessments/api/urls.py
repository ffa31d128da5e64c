from rest_framework.routers import DefaultRouter

from .views import AnswerViewSet, AssessmentViewSet, TransitionViewSet

router = DefaultRouter()
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register(r"assessments/(?P<assessment_pk>\d+)/answers", AnswerViewSet, basename="assessment-answer")
router.register(r"assessments/(?P<assessment_pk>\d+)/transitions", TransitionViewSet, basename="assessment-transition")
urlpatterns = router.urls
