from django import forms


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        error_messages={
            "invalid": "Enter an email address such as name@example.com.",
            "required": "Enter the email address the newsletter should go to.",
        },
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        # EmailValidator refuses these already; a line break or NUL must never reach a header.
        if any(char in email for char in "\r\n\x00"):
            raise forms.ValidationError("Enter an email address such as name@example.com.")
        # One row per address whatever its spelling (mail providers ignore case).
        return email.lower()
