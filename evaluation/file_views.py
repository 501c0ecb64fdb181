"""The answers about a generated file (evaluation.files) that each app's views give after checking who asks."""

from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .files import GeneratedFile


def status(model: type[GeneratedFile], pk: int) -> JsonResponse:
    """The progress the page polls, the step in the reader's language."""
    file = get_object_or_404(model, pk=pk)
    return JsonResponse(
        {
            "state": file.state,
            "state_label": file.get_state_display(),
            "progress": file.progress,
            "step": _(file.step) if file.step else "",
            "pages": file.pages,
        }
    )


def download(model: type[GeneratedFile], pk: int) -> FileResponse:
    """A finished PDF as an attachment under its own name; a file not ready is 404."""
    file = get_object_or_404(model, pk=pk, state=model.State.DONE)
    return FileResponse(
        file.file.open("rb"),
        as_attachment=True,
        filename=file.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
