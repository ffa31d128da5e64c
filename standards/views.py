from django.http import HttpResponse


def standard_current(request):
    return HttpResponse("standard")
