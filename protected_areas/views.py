from django.http import HttpResponse


def area_list(request):
    return HttpResponse("list")


def area_map(request):
    return HttpResponse("map")


def import_start(request):
    return HttpResponse("import")


def import_status(request, job_id):
    return HttpResponse("status")


def area_detail(request, pk):
    return HttpResponse("detail")
