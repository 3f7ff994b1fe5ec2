"""Every center's schema ready for Citus schema-based sharding (tenants.citus): the foreign keys to the
public ``django_content_type`` dropped, 16/32-bit keys widened to bigint. It depends on the last
migration of every app with tables in a center's schema, so it runs after all of them."""

from django.conf import settings
from django.db import connection, migrations


def prepare(apps, schema_editor):
    from tenants.citus import schema_citus_prepare

    if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:  # cms is a center app: never public anyway
        schema_citus_prepare(schema=connection.schema_name)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0010_accessattemptexpiration"),
        ("cms", "0005_service_evaluations"),
        ("operations", "0015_outgoing_sms"),
        ("otp_static", "0003_add_timestamps"),
        ("otp_totp", "0003_add_timestamps"),
        ("sessions", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailsearch", "0010_add_text_fields"),
        ("wagtailusers", "0015_userprofile_keyboard_shortcuts"),
    ]

    operations = [migrations.RunPython(prepare, migrations.RunPython.noop, elidable=False)]
