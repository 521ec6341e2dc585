"""Enumerations of the members template (interfaces.md §2) with the template's own words."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MemberType(models.TextChoices):
    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("Postgraduate")
    BACHELOR = "bachelor", _("Undergraduate (bachelor)")
    ASSOCIATE = "associate", _("Junior college")
    VOCATIONAL = "vocational", _("Secondary vocational school")
    HIGH_SCHOOL = "high_school", _("High school")
    JUNIOR_OR_BELOW = "junior_or_below", _("Junior high school or below")


class Category(models.TextChoices):
    EMPLOYED = "employed", _("In-service member")
    RETIRED = "retired", _("Retired worker member")
    VETERAN_RETIRED = "veteran_retired", _("Retired cadre (lixiu) member")
    UNEMPLOYED = "unemployed", _("Laid-off or unemployed member")
    MOBILE = "mobile", _("Mobile member")
    RESIDENT = "resident", _("Resident member")


# 工作状况 (glossary.md): typed on the member. The codes follow the groups of the 党员管理信息系统's 工作岗位 where they
# match (在职 / 离退休 split into 退休 and 离休 / 下岗失业 / 学生), and the template's words are its labels.
class WorkStatus(models.TextChoices):
    EMPLOYED = "employed", _("In service")
    RETIRED = "retired", _("Retired")
    VETERAN_RETIRED = "veteran_retired", _("Retired cadre (lixiu)")
    UNEMPLOYED = "unemployed", _("Laid off or unemployed")
    NO_FIXED_JOB = "no_fixed_job", _("No fixed occupation")
    STUDENT = "student", _("Student")
    OTHER = "other", _("Other")


class Standing(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Membership suspended")
    REMOVED = "removed", _("Removed")
    DECEASED = "deceased", _("Deceased")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out of this deployment")


# The count ledger (党员增加/减少, glossary.md): only what changes a count, in the kinds of the annual report. The
# codes of the older ledger keep their value (joined = 发展, died = 死亡, transferred_in/out = 转入/转出); the
# effect on the count follows from the kind (EFFECT), never typed. 预备党员转正 (confirmed) is kept as the one
# kind of effect 0: it moves a member from probationary to full, which the annual report counts apart.
class EventKind(models.TextChoices):
    # 增加
    JOINED = "joined", _("Recruited (new member)")
    TRANSFERRED_IN = "transferred_in", _("Transferred in")
    RESTORED = "restored", _("Membership restored")
    TRANSFERRED_IN_WHOLE = "transferred_in_whole", _("Transferred in with the whole organization")
    OTHER_INCREASE = "other_increase", _("Other increase")
    # 减少
    DIED = "died", _("Died")
    WITHDREW = "withdrew", _("Left the party (withdrawal)")
    PERSUADED_OUT = "persuaded_out", _("Persuaded to leave the party")
    STRUCK_OFF = "struck_off", _("Struck off the roll")
    EXPELLED = "expelled", _("Expelled from the party")
    LAPSED = "lapsed", _("Struck off for abandoning the party")
    SUSPENDED = "suspended", _("Membership suspended")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    TRANSFERRED_OUT_WHOLE = "transferred_out_whole", _("Transferred out with the whole organization")
    OTHER_DECREASE = "other_decrease", _("Other decrease")
    # neither: probationary → full
    CONFIRMED = "confirmed", _("Became a full member")


INCREASE_KINDS = (EventKind.JOINED, EventKind.TRANSFERRED_IN, EventKind.RESTORED, EventKind.TRANSFERRED_IN_WHOLE,
                  EventKind.OTHER_INCREASE)  # fmt: skip
# 出党: the five ways out of the party (党章 第九条, 党员教育管理工作条例 第二十四条, 处分条例)
EXIT_KINDS = (EventKind.WITHDREW, EventKind.PERSUADED_OUT, EventKind.STRUCK_OFF, EventKind.EXPELLED,
              EventKind.LAPSED)  # fmt: skip
DECREASE_KINDS = (EventKind.DIED, *EXIT_KINDS, EventKind.SUSPENDED, EventKind.TRANSFERRED_OUT,
                  EventKind.TRANSFERRED_OUT_WHOLE, EventKind.OTHER_DECREASE)  # fmt: skip
EFFECT: dict[str, int] = {
    **dict.fromkeys(INCREASE_KINDS, 1),
    **dict.fromkeys(DECREASE_KINDS, -1),
    EventKind.CONFIRMED: 0,
}
# the annual report's own words (the keys of the statistics JSON's `ledger`, like §3's other keys)
EVENT_REPORT_LABELS = {
    EventKind.JOINED: "发展党员",
    EventKind.TRANSFERRED_IN: "转入",
    EventKind.RESTORED: "恢复党籍",
    EventKind.TRANSFERRED_IN_WHOLE: "整建制转入",
    EventKind.OTHER_INCREASE: "其他增加",
    EventKind.DIED: "死亡",
    EventKind.WITHDREW: "退党",
    EventKind.PERSUADED_OUT: "劝退",
    EventKind.STRUCK_OFF: "除名",
    EventKind.EXPELLED: "开除党籍",
    EventKind.LAPSED: "自行脱党",
    EventKind.SUSPENDED: "停止党籍",
    EventKind.TRANSFERRED_OUT: "转出",
    EventKind.TRANSFERRED_OUT_WHOLE: "整建制转出",
    EventKind.OTHER_DECREASE: "其他减少",
    EventKind.CONFIRMED: "预备党员转正",
}


class StateKind(models.TextChoices):
    """Dated member states that change who may vote (glossary.md), not the count (停止党籍 also writes its
    ledger decrease)."""

    PROBATION_DISCIPLINE = "probation_discipline", _("Probation within the party (留党察看)")
    SUSPENDED = "suspended", _("Membership suspended")


class RegistrationStatus(models.TextChoices):
    """Where a community registration (在职党员报到) stands: derived, never typed (members.registrations)."""

    PENDING = "pending", _("Awaiting the unit's confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    ENDED = "ended", _("Ended")


class RegistrationEnd(models.TextChoices):
    """Why a registration ended."""

    MOVED = "moved", _("The member moved house")
    ASKED = "asked", _("At the member's request")
    MEMBERSHIP_MOVED = "membership_moved", _("The membership moved to another organization")
    NOT_IN_SERVICE = "not_in_service", _("No longer in service")
    OTHER = "other", _("Other")


SEX_LABELS = {Sex.MALE: "男", Sex.FEMALE: "女"}
TYPE_LABELS = {MemberType.FULL: "正式党员", MemberType.PROBATIONARY: "预备党员"}
EDUCATION_LABELS = {
    Education.POSTGRADUATE: "研究生",
    Education.BACHELOR: "大学本科",
    Education.ASSOCIATE: "大学专科",
    Education.VOCATIONAL: "中专",
    Education.HIGH_SCHOOL: "高中",
    Education.JUNIOR_OR_BELOW: "初中及以下",
}
COLLEGE_OR_ABOVE = {Education.POSTGRADUATE, Education.BACHELOR, Education.ASSOCIATE}
CATEGORY_LABELS = {
    Category.EMPLOYED: "在职党员",
    Category.RETIRED: "退休职工党员",
    Category.VETERAN_RETIRED: "离休干部党员",
    Category.UNEMPLOYED: "下岗失业党员",
    Category.MOBILE: "流动党员",
    Category.RESIDENT: "居民党员",
}
WORK_STATUS_LABELS = {
    WorkStatus.EMPLOYED: "在职",
    WorkStatus.RETIRED: "退休",
    WorkStatus.VETERAN_RETIRED: "离休",
    WorkStatus.UNEMPLOYED: "下岗失业",
    WorkStatus.NO_FIXED_JOB: "无固定职业",
    WorkStatus.STUDENT: "学生",
    WorkStatus.OTHER: "其他",
}
# The seeds' six categories are derived, one per member (glossary.md): 流动 first (an open outflow or inflow), then
# 离休, 退休, 下岗失业, 在职 by the work status, and 居民 for the rest (`services.derive_category`).
CATEGORY_BY_WORK_STATUS: dict[str | None, str] = {
    WorkStatus.VETERAN_RETIRED: Category.VETERAN_RETIRED,
    WorkStatus.RETIRED: Category.RETIRED,
    WorkStatus.UNEMPLOYED: Category.UNEMPLOYED,
    WorkStatus.EMPLOYED: Category.EMPLOYED,
}
# A 党员分类 of the members template read as a work status (interfaces.md §2: an optional 工作状况 column takes
# precedence): 流动 says nothing about work (an update keeps the stored status; a new member gets 其他) and 居民
# means none of the four, so 其他 — not 无固定职业, which nobody told us.
WORK_STATUS_OF_CATEGORY: dict[str | None, str | None] = {
    Category.EMPLOYED: WorkStatus.EMPLOYED,
    Category.RETIRED: WorkStatus.RETIRED,
    Category.VETERAN_RETIRED: WorkStatus.VETERAN_RETIRED,
    Category.UNEMPLOYED: WorkStatus.UNEMPLOYED,
    Category.MOBILE: None,
    Category.RESIDENT: WorkStatus.OTHER,
}

# The 56 ethnic groups as written on identity cards (民族 column). 汉族 is the majority; all others count as
# ethnic minorities in the statistics.
HAN = "汉族"
ETHNIC_GROUPS = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族",
    "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族",
    "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族",
    "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
]  # fmt: skip
