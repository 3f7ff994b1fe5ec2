"""The departments every center starts with (installed by ``departments_install_defaults``)."""

DEFAULT_DEPARTMENTS = [
    # code, name, description
    ("engineering", "工程部", "维修、水电、设施设备"),
    ("cleaning", "保洁部", "清洁、绿化、垃圾清运"),
    ("security", "护卫部", "门岗、巡逻、车辆与安全"),
    ("service", "客服部", "前台接待、咨询、投诉与回访"),
]
