"""Intake's tables take intake's own names (initiatives_intakerequest → intake_intakerequest,
the priorities table with it), once initiatives 0004 has moved the links out."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0001_initial'),
        ('initiatives', '0004_linked_requests_intake_moves_out'),
    ]

    operations = [
        migrations.RenameIndex(
            model_name='intakerequest',
            new_name='intake_inta_status_8adbd2_idx',
            old_name='initiatives_status_d8b124_idx',
        ),
        migrations.RenameIndex(
            model_name='intakerequest',
            new_name='intake_inta_submitt_52ccc6_idx',
            old_name='initiatives_submitt_2278c5_idx',
        ),
        migrations.AlterModelTable(
            name='intakerequest',
            table=None,
        ),
        migrations.AlterModelTable(
            name='requestcomment',
            table=None,
        ),
        migrations.AlterModelTable(
            name='requestscore',
            table=None,
        ),
        migrations.AlterModelTable(
            name='requeststatuschange',
            table=None,
        ),
        migrations.AlterModelTable(
            name='requestvote',
            table=None,
        ),
        migrations.AlterModelTable(
            name='rubric',
            table=None,
        ),
    ]
