"""The schema documents the error answers every operation can give, so clients (and the fuzz test) can
rely on the documented status codes and shapes, not only on the success case."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

from .report_serializers import ErrorSerializer

ERRORS = {
    "400": OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: messages by field, in Chinese."),
    "401": OpenApiResponse(ErrorSerializer, description="No valid token or session."),
    "403": OpenApiResponse(ErrorSerializer, description="Not allowed for this user, or not at this step."),
    "404": OpenApiResponse(ErrorSerializer, description="No such object, or not visible to this user."),
    "414": OpenApiResponse(ErrorSerializer, description="The address (path and query) is over 4,096 characters."),
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, error in ERRORS.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        return responses
