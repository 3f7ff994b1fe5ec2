"""The convenience items and toolbox contents every center starts with (``lending_install_defaults``)."""

from operations.models.lending import ItemKind

TOOLBOX_DEFAULT_CONTENTS = ["锤子", "钳子", "螺丝刀", "绝缘胶带", "卷尺", "壁纸刀", "电笔", "扳手"]
DEFAULT_ITEMS = [
    # code, name, kind, location
    ("LHJ-01", "老花镜", ItemKind.READING_GLASSES, "前台台面"),
    ("LHJ-02", "老花镜", ItemKind.READING_GLASSES, "前台台面"),
    ("GJX-01", "工具箱", ItemKind.TOOLBOX, "前台柜子"),
    ("YYX-01", "医药箱", ItemKind.FIRST_AID_KIT, "前台柜子"),
]
