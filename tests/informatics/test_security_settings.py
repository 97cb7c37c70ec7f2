"""The security settings the issue asks for from day one, read from the settings module itself
(the test suite swaps the hasher for speed, so these read the module, not django.conf)."""

import datetime

from informatics import settings as project_settings


def test_passwords_are_hashed_with_argon2():
    assert project_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_login_lockout_is_per_account_and_address_for_a_limited_time():
    assert project_settings.AXES_FAILURE_LIMIT == 5
    cooloff = project_settings.AXES_COOLOFF_TIME
    assert cooloff == datetime.timedelta(minutes=15)
    assert project_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert project_settings.AXES_USERNAME_FORM_FIELD == "username"
    assert project_settings.AUTHENTICATION_BACKENDS[0] == "informatics.auth.SignInBackend"
    assert (
        project_settings.LOGIN_DELAY_AFTER_FAILURES,
        project_settings.LOGIN_DELAY_MAX_SECONDS,
    ) == (
        5,
        60,
    )
    assert project_settings.API_TOKEN_TTL_DAYS == 0


def test_sessions_expire_after_eight_idle_hours():
    assert project_settings.SESSION_COOKIE_AGE == 8 * 3600
    assert project_settings.SESSION_SAVE_EVERY_REQUEST is True


def test_script_policy_allows_only_own_scripts_with_a_nonce():
    script_src = [str(source) for source in project_settings.SECURE_CSP["script-src"]]
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    style_src = [str(source) for source in project_settings.SECURE_CSP["style-src"]]
    assert style_src == ["'self'"]
