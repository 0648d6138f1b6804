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
        # EmailField's validator refuses line breaks, NULs and spaces inside an address, so
        # nothing typed here can add a mail header (tests/newsletter/test_subscribing.py).
        # One row per address whatever its spelling (mail providers ignore case).
        return self.cleaned_data["email"].lower()
