"""The consumables every center starts with (installed by ``consumables_install_defaults``)."""

from operations.models import ConsumableCategory

DEFAULT_CONSUMABLES = [
    # name, category, unit, minimum, target
    ("糖果", ConsumableCategory.CANDY, "斤", 1, 5),
    ("体温计", ConsumableCategory.FIRST_AID, "支", 1, 2),
    ("创可贴", ConsumableCategory.FIRST_AID, "盒", 1, 3),
    ("碘酒", ConsumableCategory.FIRST_AID, "瓶", 1, 2),
    ("医用胶带", ConsumableCategory.FIRST_AID, "卷", 1, 3),
    ("医用纱布", ConsumableCategory.FIRST_AID, "包", 2, 5),
    ("棉签", ConsumableCategory.FIRST_AID, "包", 2, 5),
    ("红花油", ConsumableCategory.FIRST_AID, "瓶", 1, 2),
]
