from django.urls import path

from .views import AreaMonitoringView, MonitoringDatasetView, MonitoringProcessView, MonitoringValuesView

urlpatterns = [
    path("protected-areas/<int:pk>/monitoring/", AreaMonitoringView.as_view(), name="area-monitoring"),
    path("monitoring-datasets/<int:pk>/", MonitoringDatasetView.as_view(), name="monitoring-dataset"),
    path("monitoring-datasets/<int:pk>/values/", MonitoringValuesView.as_view(), name="monitoring-dataset-values"),
    path("monitoring-datasets/<int:pk>/process/", MonitoringProcessView.as_view(), name="monitoring-dataset-process"),
]
