from celery import shared_task

from . import services


@shared_task(name="certification.render_certificate_pdf", time_limit=300, soft_time_limit=240)
def render_certificate_pdf(certificate_id: int) -> str:
    return services.certificate_render_pdf(certificate_id=certificate_id).pdf.name or ""


@shared_task(name="certification.expire_certificates", time_limit=600)
def expire_certificates() -> int:
    return services.certificates_expire()


@shared_task(name="certification.send_reminders", time_limit=900)
def send_reminders() -> dict:
    return {"reminders": services.reminders_send(), "candidates_flagged": services.candidates_flag()}
