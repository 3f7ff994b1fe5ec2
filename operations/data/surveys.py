"""The satisfaction survey template every center starts with (``surveys_install_defaults``)."""

from operations.models import SurveyQuestion

DEFAULT_TEMPLATE_NAME = "服务满意度调查"
DEFAULT_TEMPLATE_DESCRIPTION = "请您对服务中心近期的服务作出评价，您的意见将帮助我们改进工作。"
#: (text, kind, options, required)
DEFAULT_QUESTIONS = [
    ("您对服务中心的总体服务是否满意？", SurveyQuestion.Kind.RATING, "", True),
    ("工作人员的服务态度", SurveyQuestion.Kind.RATING, "", True),
    ("办事效率（是否在承诺时限内办结）", SurveyQuestion.Kind.RATING, "", True),
    ("维修质量", SurveyQuestion.Kind.RATING, "", False),
    ("您是通过什么方式联系服务中心的？", SurveyQuestion.Kind.SINGLE, "到前台\n电话\n网上\n上门拜访", False),
    (
        "您希望增加哪些便民服务？",
        SurveyQuestion.Kind.MULTIPLE,
        "工具借用\n代购代缴\n老人上门服务\n社区活动\n家政服务",
        False,
    ),
    ("您的意见和建议", SurveyQuestion.Kind.TEXT, "", False),
]
