"""The code step and the set-up step: a code checked against one device, each code once."""

import base64
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp import verify_token

WRONG_CODE = (
    "That code is not right. Type the six digits your authenticator app shows now; "
    "each code works once."
)
# django-otp's StaticToken.random_token(): 5 random bytes in base32.
BACKUP_CODE_LENGTH = 8
WAIT = "Too many wrong codes in a row: wait {seconds} seconds, then type the newest code."


class CodeForm(forms.Form):
    """The code of the authenticator app, or one of the account's backup codes."""

    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "size": 10,
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Type the six-digit code."},
    )

    def __init__(self, device, backup=None, *args, **kwargs):
        self.device = device
        self.backup = backup
        # The device that accepted the code; `refused` is set when a code was checked and
        # refused (not when throttled or malformed): the view counts those as failed sign-ins.
        self.verified_device = None
        self.refused = False
        super().__init__(*args, **kwargs)

    def _device_for(self, token):
        if len(token) == 6 and token.isdigit():
            return self.device
        if self.backup is not None and len(token) == BACKUP_CODE_LENGTH:
            return self.backup
        if self.backup is not None:
            raise ValidationError("Type the six digits from your app, or one backup code.")
        raise ValidationError("The code has six digits, nothing else.")

    def clean_token(self):
        # Backup codes are shown in lower case; people may type them in capitals or with spaces.
        token = "".join(self.cleaned_data["token"].split()).lower()
        device = self._device_for(token)
        allowed, data = device.verify_is_allowed()
        if not allowed:
            # django-otp's own back-off (1, 2, 4... seconds) after wrong codes for this device.
            seconds = 1
            if data and data.get("locked_until"):
                seconds = max(1, round((data["locked_until"] - timezone.now()).total_seconds()))
            raise ValidationError(WAIT.format(seconds=seconds))
        # In a transaction with the device row locked: two requests racing with one code
        # cannot both pass, and a code, once accepted, is refused from then on (an app's code
        # by its time step, last_t; a backup code is deleted).
        if verify_token(device.user, device.persistent_id, token) is None:
            self.refused = True
            raise ValidationError(WRONG_CODE)
        self.verified_device = device
        return token


class SetUpForm(CodeForm):
    """The first code from a new app confirms that it holds the secret shown."""

    def secret(self):
        """The key as most apps ask for it when typed: base32, in groups of four."""
        text = b32encode(self.device.bin_key).decode()
        return " ".join(text[i : i + 4] for i in range(0, len(text), 4))

    def qr_code(self):
        """A data: URI of an SVG QR code of the otpauth:// address: an <img>, so nothing
        inline needs the Content-Security-Policy to allow it (img-src allows data:)."""
        image = qrcode.make(self.device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
        encoded = base64.b64encode(image.to_string()).decode()
        return f"data:image/svg+xml;base64,{encoded}"

    def __init__(self, device, *args, **kwargs):
        super().__init__(device, None, *args, **kwargs)

    def save(self):
        self.device.confirmed = True
        self.device.save(update_fields=["confirmed"])
        return self.device
