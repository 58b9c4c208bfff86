"""Demo key projects: for each key chain, the projects of enterprises on it (new builds,
expansions, technical upgrades, digital transformations, 5G smart factories, investment
attraction), at realistic stages with dates
and investment that agree with the stage."""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from gongxin.chains.choices import LinkStatus
from gongxin.chains.models import Chain, EnterpriseNode
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.enterprises.demo import enterprise_short_name
from gongxin.projects.choices import ProjectStage, ProjectType
from gongxin.projects.models import Project

#: (type, weight, name suffix, planned investment range in 万元).
TYPES = [
    (ProjectType.NEW, 3, "生产基地建设项目", (20_000, 500_000)),
    (ProjectType.EXPANSION, 3, "扩产项目", (10_000, 200_000)),
    (ProjectType.TECH_UPGRADE, 4, "智能化技术改造项目", (2_000, 50_000)),
    (ProjectType.DIGITAL, 2, "数字化车间改造项目", (1_000, 20_000)),
    (ProjectType.SMART_FACTORY, 2, "5G+智慧工厂建设项目", (3_000, 60_000)),
    (ProjectType.ATTRACTION, 2, "招商引资落地项目", (10_000, 300_000)),
]
STAGES = list(ProjectStage.values)
#: How far the stages are along the build, for completed investment.
PROGRESS = {
    "signed": 0.0,
    "approved": 0.05,
    "started": 0.35,
    "completed": 0.85,
    "producing": 0.95,
    "at_capacity": 1.0,
}
TODAY = dt.date(2026, 11, 30)


def projects_build(*, seed: int, chains: list[Chain]) -> list[Project]:
    rng = random.Random(seed * 31 + 5)
    officers = list(User.objects.filter(role=Role.OFFICER).order_by("pk"))
    weights = [w for _, w, _, _ in TYPES]
    projects: list[Project] = []
    for chain in chains:
        places = list(
            EnterpriseNode.objects.filter(node__chain=chain, status=LinkStatus.CONFIRMED)
            .select_related("enterprise", "node")
            .order_by("enterprise__pk", "node__position")
        )
        if not places:
            continue
        count = 4 if chain.parent_id else 10
        rng.shuffle(places)
        # Larger enterprises carry more of the projects.
        places.sort(key=lambda p: (not p.enterprise.above_scale, rng.random()))
        for place in places[:count]:
            kind, _, suffix, (low, high) = rng.choices(TYPES, weights=weights)[0]
            enterprise = place.enterprise
            planned = Decimal(round(math.exp(rng.uniform(math.log(low), math.log(high))))) * 10_000
            stage = rng.choices(STAGES, weights=[2, 2, 4, 2, 2, 1])[0]
            signed = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 900))
            start_planned = signed + dt.timedelta(days=rng.randrange(60, 240))
            end_planned = start_planned + dt.timedelta(days=rng.randrange(300, 800))
            reached = STAGES.index(stage)
            started = (
                min(start_planned + dt.timedelta(days=rng.randrange(-20, 90)), TODAY)
                if reached >= 2
                else None
            )
            completed = (
                min(started + dt.timedelta(days=rng.randrange(250, 700)), TODAY)
                if started and reached >= 3
                else None
            )
            progress = PROGRESS[stage] * rng.uniform(0.85, 1.05) if reached >= 2 else 0
            projects.append(
                Project(
                    name=f"{enterprise_short_name(enterprise.name)}{place.node.name}{suffix}",
                    project_type=kind,
                    enterprise=enterprise,
                    chain=chain,
                    node=place.node,
                    district_id=enterprise.district_id,
                    park_id=enterprise.park_id,
                    planned_investment=planned,
                    completed_investment=(planned * Decimal(min(progress, 1.0))).quantize(
                        Decimal(1)
                    ),
                    stage=stage,
                    start_planned=start_planned,
                    end_planned=end_planned,
                    started_on=started,
                    completed_on=completed,
                    official=officers[rng.randrange(len(officers))] if officers else None,
                )
            )
    return Project.objects.bulk_create(projects)
