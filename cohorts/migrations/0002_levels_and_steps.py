"""Reference data: the three accreditation levels of the Contract Management Professional Standards."""

from django.db import migrations

LEVELS = [
    {
        "slug": "foundation",
        "name": "Foundation",
        "order": 1,
        "is_funded": False,
        "renewal_months": 24,
        "cpd_hours_per_year": None,
        "description": "Core contract-management knowledge for anyone who manages contracts.",
        "steps": [
            ("module", "Foundation on-demand learning"),
            ("assessment_preparation", "Foundation practice test"),
            ("assessment", "Foundation assessment"),
        ],
    },
    {
        "slug": "practitioner",
        "name": "Practitioner",
        "order": 2,
        "is_funded": True,
        "renewal_months": None,
        "cpd_hours_per_year": 30,
        "description": (
            "Blended learning for officers who manage complex contracts: on-demand modules, "
            "instructor-led workshops, self-directed activities and peer learning, then a "
            "pass or fail assessment."
        ),
        "steps": [
            ("module", "On-demand modules: planning and governance"),
            ("module", "On-demand modules: performance, risk and relationships"),
            ("workshop", "Workshop 1: contract management planning"),
            ("workshop", "Workshop 2: performance and risk"),
            ("workshop", "Workshop 3: commercial and financial management"),
            ("activity", "Self-directed activities and workplace evidence"),
            ("peer_learning", "Peer-learning group"),
            ("assessment_preparation", "Assessment preparation"),
            ("assessment", "Practitioner assessment"),
        ],
    },
    {
        "slug": "expert",
        "name": "Expert",
        "order": 3,
        "is_funded": False,
        "renewal_months": None,
        "cpd_hours_per_year": 30,
        "description": "For officers who lead the most complex and strategic contracts.",
        "steps": [
            ("module", "Expert on-demand modules"),
            ("workshop", "Expert masterclass 1: strategic contract management"),
            ("workshop", "Expert masterclass 2: leading commercial change"),
            ("activity", "Expert case study"),
            ("assessment_preparation", "Assessment preparation"),
            ("assessment", "Expert assessment"),
        ],
    },
]


def add_levels(apps, schema_editor):
    AccreditationLevel = apps.get_model("cohorts", "AccreditationLevel")
    LevelStep = apps.get_model("cohorts", "LevelStep")
    for data in LEVELS:
        data = dict(data)
        steps = data.pop("steps")
        level, _ = AccreditationLevel.objects.update_or_create(slug=data["slug"], defaults=data)
        for order, (kind, name) in enumerate(steps, start=1):
            LevelStep.objects.update_or_create(
                level=level, order=order, defaults={"kind": kind, "name": name}
            )


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0001_initial")]

    operations = [migrations.RunPython(add_levels, migrations.RunPython.noop)]
