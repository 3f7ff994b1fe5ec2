"""Care activities (5.2.4): the quarterly birthday party invites the registry's elders born in its
quarter; a free clinic records who came and, only with the health consent, what was observed; the
elder's record reads both back, observations masked for those who need not know."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

import pytest

from operations.models import Activity, AuditEntry, ClinicObservation, Elder
from operations.services.elder_activities import elder_birthday_invite, elder_clinic_record
from operations.services.elders import elder_status_change
from tests.base import TEST_PASSWORD
from tests.factories import make_activity, make_elder, make_manager, make_user

pytestmark = pytest.mark.usefixtures("alpha")


def client_for(user) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def born_in(quarter_offset: int, year: int = 1944) -> dt.date:
    """A birth date in the current quarter (0) or ``quarter_offset`` quarters later."""
    month = ((timezone.localdate().month - 1) // 3 * 3 + 3 * quarter_offset) % 12 + 1
    return dt.date(year, month, 10)


@pytest.fixture
def manager(alpha):
    return make_manager()


@pytest.fixture
def party(alpha):
    return make_activity("第四季度集体生日会", kind=Activity.Kind.BIRTHDAY_PARTY, started_hours_ago=-48)


@pytest.fixture
def clinic(alpha):
    return make_activity("冬季社区义诊", started_hours_ago=1)


class TestBirthdayInvite:
    def test_the_registrys_elders_born_in_the_quarter_are_invited_once(self, zh, manager, party):
        invited = make_elder("王桂兰", manager=manager, birth_date=born_in(0))
        make_elder("赵淑珍", manager=manager, birth_date=born_in(1))
        moved = make_elder("钱玉梅", manager=manager, birth_date=born_in(0))
        elder_status_change(
            elder=moved, status=Elder.Status.MOVED, on=timezone.localdate(), acting_user=manager
        )
        added = elder_birthday_invite(acting_user=manager, activity=party)
        assert [p.resident_id for p in added] == [invited.resident_id]
        assert party.participants.get().invited
        assert elder_birthday_invite(acting_user=manager, activity=party) == []
        assert party.participants.count() == 1

    def test_only_a_birthday_party_invites_elders(self, zh, manager, clinic):
        with pytest.raises(ValidationError) as refused:
            elder_birthday_invite(acting_user=manager, activity=clinic)
        assert "生日" in " ".join(refused.value.messages)

    def test_the_activity_page_button_invites_and_the_history_says_so(self, zh, manager, party):
        make_elder("王桂兰", manager=manager, birth_date=born_in(0))
        officer = make_user("huodong", "社区文化活动专员", "孙丽")
        client = client_for(officer)
        page = client.get(f"/admin/operations/activities/inspect/{party.pk}/").content.decode()
        assert "邀请本季度生日的独居老人" in page
        response = client.post(f"/admin/operations/activities/action/{party.pk}/elders/", {}, follow=True)
        body = response.content.decode()
        assert "已邀请 1 位独居老人" in body
        assert party.participants.filter(name="王桂兰", invited=True).exists()
        assert "已邀请独居老人" in body  # the history in words

    def test_staff_who_cannot_see_the_registry_get_no_button(self, zh, party):
        make_elder("王桂兰", birth_date=born_in(0))
        desk = make_user(
            "qiantai",
            "前台客服",
            "刘敏",
            perms=(
                "operations.view_activity",
                "operations.change_activity",
                "operations.add_activityparticipant",
            ),
        )
        client = client_for(desk)
        page = client.get(f"/admin/operations/activities/inspect/{party.pk}/").content.decode()
        assert "邀请本季度生日的独居老人" not in page
        response = client.post(f"/admin/operations/activities/action/{party.pk}/elders/", {})
        assert response.status_code == 302 and response.url == "/admin/"  # Wagtail's "permission denied"
        assert not party.participants.exists()


class TestFreeClinic:
    def test_attendance_and_observations_with_the_health_consent(self, zh, manager, clinic):
        elder = make_elder(manager=manager, health_consent=True)
        elder_clinic_record(acting_user=manager, elder=elder, activity=clinic, observations="血压 135/85")
        participant = clinic.participants.get(resident=elder.resident)
        assert participant.attended
        assert ClinicObservation.objects.get(elder=elder).observations == "血压 135/85"
        # Recording again corrects the text; an empty text keeps it.
        elder_clinic_record(acting_user=manager, elder=elder, activity=clinic, observations="血压 128/80")
        elder_clinic_record(acting_user=manager, elder=elder, activity=clinic, observations="")
        assert ClinicObservation.objects.get(elder=elder).observations == "血压 128/80"
        assert clinic.participants.count() == 1
        entry = AuditEntry.objects.filter(action="elder_clinic_record").first()
        assert "128/80" not in str(entry.changes) and "135/85" not in str(entry.changes)

    def test_without_the_health_consent_no_observation_is_kept_and_nothing_written(self, zh, manager, clinic):
        elder = make_elder(manager=manager)
        with pytest.raises(ValidationError) as refused:
            elder_clinic_record(acting_user=manager, elder=elder, activity=clinic, observations="血压偏高")
        assert "同意" in " ".join(refused.value.messages)
        assert not clinic.participants.exists() and not ClinicObservation.objects.exists()
        elder_clinic_record(acting_user=manager, elder=elder, activity=clinic)
        assert clinic.participants.get().attended

    @pytest.mark.parametrize("case", ["future", "not_a_clinic", "deceased", "colleague"])
    def test_refusals(self, zh, manager, clinic, case):
        elder = make_elder(manager=manager, health_consent=True)
        activity, user, observations = clinic, manager, "血压 135/85"
        if case == "future":
            activity = make_activity("明年义诊", started_hours_ago=-72)
        elif case == "not_a_clinic":
            activity = make_activity("生日会", kind=Activity.Kind.BIRTHDAY_PARTY)
        elif case == "deceased":
            elder_status_change(
                elder=elder, status=Elder.Status.DECEASED, on=timezone.localdate(), acting_user=manager
            )
        else:
            user = make_user("kehu2", "客户主任", "周主任")
        with pytest.raises(ValidationError):
            elder_clinic_record(acting_user=user, elder=elder, activity=activity, observations=observations)
        assert not ClinicObservation.objects.exists()
        assert not activity.participants.exists()

    def test_the_elders_record_reads_care_activities_back_masked_for_a_colleague(
        self, zh, manager, clinic, party
    ):
        elder = make_elder(manager=manager, health_consent=True, birth_date=born_in(0))
        elder_birthday_invite(acting_user=manager, activity=party)
        client = client_for(manager)
        url = f"/admin/operations/elders/inspect/{elder.pk}/"
        page = client.get(url).content.decode()
        assert 'id="action-clinic"' in page
        response = client.post(
            f"/admin/operations/elders/action/{elder.pk}/clinic/",
            {"activity": clinic.pk, "observations": "血压 135/85，建议低盐饮食"},
        )
        assert response.status_code == 302
        page = client.get(url).content.decode()
        assert "冬季社区义诊" in page and "第四季度集体生日会" in page
        assert "血压 135/85，建议低盐饮食" in page
        assert "参加义诊" in page  # the history in words
        colleague = make_user("kehu2", "客户主任", "周主任")
        page = client_for(colleague).get(url).content.decode()
        assert "冬季社区义诊" in page and "血压 135/85" not in page and "<td>***</td>" in page

    def test_without_the_consent_the_record_page_takes_the_attendance_only(self, zh, manager, clinic):
        elder = make_elder(manager=manager)  # no health consent: the field is disabled on the form
        client = client_for(manager)
        response = client.post(
            f"/admin/operations/elders/action/{elder.pk}/clinic/",
            {"activity": clinic.pk, "observations": "血压偏高"},
        )
        # A disabled field ignores what was posted: the attendance alone is recorded.
        assert response.status_code == 302
        assert clinic.participants.get(resident=elder.resident).attended
        assert not ClinicObservation.objects.exists()
