"""Private uploads: files kept under SQDJ_PRIVATE_DIR, which no URL serves — a view that has checked the scope
streams them (`private_response`). An uploaded photo is checked to be an image (by decoding it, not by its name)
and no larger than SQDJ_PHOTO_MAX_BYTES; a refused file is never written."""

from __future__ import annotations

import mimetypes
import os
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# what browsers show inline; anything else decoded by Pillow is still refused (a TIFF, a PSD …)
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


@deconstructible(path="sqdj.core.files.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files under SQDJ_PRIVATE_DIR, read at each use (a test may point it elsewhere), with no URL: FieldFile.url
    raises rather than leak a path. Deconstructs without arguments, so that migrations name no machine's path."""

    def __init__(self):
        super().__init__()

    @property
    def base_location(self):
        return settings.SQDJ_PRIVATE_DIR

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("a private file has no URL: a scoped view serves it (core.files.private_response)")


private_storage = PrivateStorage()


def check_photo(upload) -> str:
    """The photo's file extension when `upload` is an image of a shown format within the size limit; else a
    ValidationError in Chinese. The file is decoded (verify) rather than trusted by its name or content type."""
    limit = settings.SQDJ_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The photo is larger than %(mb)s MB: send a smaller one.") % {"mb": limit // 2**20})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The file is not a photo (JPEG, PNG, WebP or GIF).")) from None
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError(_("The file is not a photo (JPEG, PNG, WebP or GIF)."))
    return PHOTO_FORMATS[kind]


def private_name(folder: str, extension: str) -> str:
    """A random file name: a guessed name finds nothing, and the name says nothing about whom it shows."""
    return f"{folder}/{secrets.token_hex(16)}.{extension}"


def private_response(field_file) -> FileResponse:
    """Stream a private file (the caller has checked the scope). 404 when it is gone."""
    if not field_file or not field_file.storage.exists(field_file.name):
        raise Http404
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(field_file.storage.open(field_file.name, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
