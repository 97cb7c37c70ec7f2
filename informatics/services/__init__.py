"""Writes of the program kernel: priorities, people, site settings, background job rows,
notifications and redaction.

One submodule per concern; every public name is re-exported here, so callers keep writing
`from informatics import services` or `from informatics.services import site_settings_get`.
"""

from informatics.services.jobs import (
    JOB_LEASE,
    JOB_PENDING_GRACE,
    job_enqueue,
    job_tasks,
    jobrun_claim,
    jobrun_create,
    jobrun_fail,
    jobrun_finish,
    jobrun_progress,
    jobrun_release,
    jobs_reconcile,
)
from informatics.services.notifications import (
    notification_digest_send,
    notification_digests_send,
    notification_preference_set,
    notification_send,
    notify,
)
from informatics.services.people import (
    PERSON_FIELDS,
    password_set_link,
    user_invite,
    user_password_set,
    user_set_active,
    user_sign_out_everywhere,
    user_token_create,
    user_token_revoke,
    user_update,
)
from informatics.services.priorities import (
    PRIORITY_FIELDS,
    priority_create,
    priority_move,
    priority_reorder,
    priority_restore,
    priority_retire,
    priority_update,
)
from informatics.services.redaction import text_redact
from informatics.services.site import (
    FACILITY_FIELDS,
    SITE_SETTINGS_CACHE_KEY,
    SITE_SETTINGS_FIELDS,
    facility_check,
    facility_create,
    facility_update,
    site_settings_get,
    site_settings_update,
    site_today,
)
from informatics.services.sso import SignInRefused, user_sso_recheck, user_sso_sign_in

__all__ = [
    "FACILITY_FIELDS",
    "JOB_LEASE",
    "JOB_PENDING_GRACE",
    "PERSON_FIELDS",
    "PRIORITY_FIELDS",
    "SITE_SETTINGS_CACHE_KEY",
    "SITE_SETTINGS_FIELDS",
    "SignInRefused",
    "facility_check",
    "facility_create",
    "facility_update",
    "job_enqueue",
    "job_tasks",
    "jobrun_claim",
    "jobrun_create",
    "jobrun_fail",
    "jobrun_finish",
    "jobrun_progress",
    "jobrun_release",
    "jobs_reconcile",
    "notification_digest_send",
    "notification_digests_send",
    "notification_preference_set",
    "notification_send",
    "notify",
    "password_set_link",
    "priority_create",
    "priority_move",
    "priority_reorder",
    "priority_restore",
    "priority_retire",
    "priority_update",
    "site_settings_get",
    "site_settings_update",
    "site_today",
    "text_redact",
    "user_invite",
    "user_password_set",
    "user_set_active",
    "user_sign_out_everywhere",
    "user_sso_recheck",
    "user_sso_sign_in",
    "user_token_create",
    "user_token_revoke",
    "user_update",
]
