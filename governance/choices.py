"""Choices (TextChoices) of this app."""

from django.db import models


class MaturityDimension(models.TextChoices):
    """The nine dimensions of the program's maturity (DOMAIN.md §4), in the order the page and
    the radar show them."""

    STRATEGIC_ALIGNMENT = "strategic_alignment", "Strategic alignment"
    GOVERNANCE = "governance", "Governance and decision rights"
    INTAKE = "intake", "Intake and prioritisation"
    PHYSICIAN_ENGAGEMENT = "physician_engagement", "Physician engagement"
    MEASUREMENT = "measurement", "Measurement and value realisation"
    DATA_ANALYTICS = "data_analytics", "Data and analytics"
    CDS_AI = "cds_ai", "CDS and AI governance"
    TRAINING = "training", "Training and personalisation"
    CLINICIAN_BURDEN = "clinician_burden", "Clinician burden"


class MaturityLevel(models.IntegerChoices):
    """A maturity score's level: the whole part of the score (2.5 is still Developing)."""

    FOUNDATIONAL = 1, "Foundational"
    DEVELOPING = 2, "Developing"
    ADVANCED = 3, "Advanced"
    TRANSFORMATIVE = 4, "Transformative"


class MaturityKind(models.TextChoices):
    """An assessment of where the program stands, or the target it aims for by a due date."""

    ASSESSMENT = "assessment", "Assessment"
    TARGET = "target", "12-month target"
