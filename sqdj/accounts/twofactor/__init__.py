"""The second factor (TOTP and recovery codes, django-otp): services, the gate middleware, the pages, the checks."""
