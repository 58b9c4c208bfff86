"""Policy pages: the library, each policy with the enterprises it finds (exportable) and
its rule, the rule editor with its live check, 免申即享 grants, applications and their
steps, statistics, and the cultivation ladder with its candidates and plans."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gongxin.core.choices import Role
from gongxin.core.forms import form_errors_from
from gongxin.core.selectors import user_edits_everything
from gongxin.core.units import WAN, from_wan
from gongxin.core.views import (
    PAGE_SIZES,
    XLSX,
    PagedFilterView,
    attachment,
    page_of,
    query_string,
    year_of,
)
from gongxin.enterprises.choices import Tier
from gongxin.enterprises.models import CultivationPlan, PlanItem
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.enterprises.services import (
    cultivation_plan_save,
    plan_can_edit,
    plan_item_delete,
    plan_item_save,
)
from gongxin.policies import exports, rules, selectors, services
from gongxin.policies.benefits import Benefit
from gongxin.policies.choices import ApplicationStatus, MatchResult
from gongxin.policies.filters import ApplicationFilterSet, PolicyFilterSet
from gongxin.policies.forms import (
    ApplyForm,
    DecideForm,
    DisburseForm,
    GrantForm,
    PlanForm,
    PlanItemForm,
    PolicyForm,
    TierRuleForm,
)
from gongxin.policies.models import BASES, Application, Fact, Policy, TierRule


def _policy(user, pk) -> Policy:
    try:
        return selectors.policy_get(user, pk)
    except Policy.DoesNotExist:
        raise Http404 from None


def can_apply(user) -> bool:
    """Who applies: an enterprise for itself; officials who keep enterprises' files for
    them (division staff, districts and parks, service officers)."""
    return user.role in (Role.ENTERPRISE, Role.DISTRICT, Role.OFFICER) or user_edits_everything(
        user
    )


def benefit_text(policy: Policy) -> str:
    return Benefit.of(policy).describe(str(BASES.get(policy.base, "")))


class PolicyListView(PagedFilterView):
    template_name = "policies/policy_list.html"
    filterset_class = PolicyFilterSet
    paginate_by = 20

    def get_queryset(self):
        return selectors.policy_list(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = services.policy_can_edit(self.request.user)
        context["today"] = timezone.localdate()
        return context


class PolicyDetailView(LoginRequiredMixin, View):
    """A policy: what it gives, its rule in plain Chinese, and the enterprises in the
    user's scope it finds eligible or needing information, with the reason per criterion."""

    def get(self, request, pk):
        user = request.user
        policy = _policy(user, pk)
        result = request.GET.get("result") or MatchResult.ELIGIBLE
        if result not in (MatchResult.ELIGIBLE, MatchResult.UNKNOWN):
            result = MatchResult.ELIGIBLE
        page = page_of(request, selectors.policy_matches(user, policy, result))
        rows = list(page)
        reasons = selectors.match_reasons(policy, [m.enterprise_id for m in rows])
        counts = {
            r: selectors.policy_matches(user, policy, r).count()
            for r in (MatchResult.ELIGIBLE, MatchResult.UNKNOWN)
        }
        own = None
        if user.role == "enterprise" and user.enterprise_id:
            found = selectors.enterprise_policies(user, user.enterprise, policy=policy)
            own = found[0] if found else None
        context = {
            "policy": policy,
            "benefit": benefit_text(policy),
            "rule_description": selectors.rule_said(services.parsed(policy.rule_text)),
            "versions": policy.rule_versions.select_related("saved_by")[:10],
            "result": result,
            "counts": counts,
            "page_obj": page,
            "rows": [(m, reasons.get(m.enterprise_id, [])) for m in rows],
            "query_string": query_string(request),
            "page_sizes": PAGE_SIZES,
            "in_force": policy.in_force(timezone.localdate()),
            "can_edit": services.policy_can_edit(user),
            "can_handle": services.application_can_handle(user, policy),
            "own": own,
            "can_apply": can_apply(user),
            "grant_form": GrantForm(initial={"year": timezone.localdate().year}),
            "chains": policy.chains.all(),
        }
        return render(request, "policies/policy_detail.html", context)


class PolicyFullTextView(LoginRequiredMixin, View):
    """The policy's full text, to those who see the policy (never a public URL)."""

    def get(self, request, pk):
        policy = _policy(request.user, pk)
        if not policy.full_text:
            raise Http404
        try:
            handle = policy.full_text.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        extension = policy.full_text.name.rsplit(".", 1)[-1].lower()
        return FileResponse(handle, as_attachment=True, filename=f"{policy.title}.{extension}")


class PolicyMatchesExportView(LoginRequiredMixin, View):
    """The enterprises a policy finds (the user's scope), with reasons, as XLSX."""

    def get(self, request, pk):
        selectors.officials_only(request.user)
        policy = _policy(request.user, pk)
        response = HttpResponse(content_type=XLSX)
        exports.matches_write(response, policy, selectors.policy_matches(request.user, policy))
        response["Content-Disposition"] = attachment(exports.matches_filename(policy))
        return response


class PolicyFormView(LoginRequiredMixin, View):
    """Create or edit a policy; the rule is checked as it is typed."""

    def _setup(self, request, pk):
        if not services.policy_can_edit(request.user):
            raise PermissionDenied
        return _policy(request.user, pk) if pk else None

    def _render(self, request, form, policy):
        return render(
            request,
            "policies/policy_form.html",
            {"form": form, "policy": policy, "fields": rules.FIELDS, "functions": rules.FUNCTIONS},
        )

    def get(self, request, pk=None):
        policy = self._setup(request, pk)
        form = PolicyForm(instance=policy, check_url=reverse("policies:rule_check"))
        return self._render(request, form, policy)

    def post(self, request, pk=None):
        policy = self._setup(request, pk)
        # The form fills its own copy: the service compares the policy before and after.
        form = PolicyForm(
            request.POST,
            request.FILES,
            instance=Policy.objects.get(pk=policy.pk) if policy else Policy(),
            check_url=reverse("policies:rule_check"),
        )
        if form.is_valid():
            try:
                saved = services.policy_save(
                    actor=request.user,
                    policy=policy,
                    data=form.service_data(),
                    chains=form.cleaned_data["chains"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Policy saved and matched."))
                return redirect(saved)
        return self._render(request, form, policy)


class RuleCheckView(LoginRequiredMixin, View):
    """htmx: the rule being typed, checked — the fault with its line and column, or the
    rule in plain Chinese with how many enterprises it would find today."""

    def post(self, request):
        if not services.policy_can_edit(request.user):
            raise PermissionDenied
        text = request.POST.get("rule_text", "")
        context = {"text": text}
        try:
            rule = rules.parse(text)
        except rules.RuleError as exc:
            context["error"] = exc
        else:
            today = timezone.localdate()
            outcome = selectors.rule_outcomes(rule, today, Fact.objects.filter(operating=True))
            context["description"] = selectors.rule_said(rule)
            context["eligible"] = outcome.filter(eligible=True).count()
            context["unknown"] = outcome.filter(eligible__isnull=True).count()
        return render(request, "policies/partials/rule_check.html", context)


class GrantView(LoginRequiredMixin, View):
    """免申即享: grant the year's support to every eligible enterprise with complete data."""

    def post(self, request, pk):
        policy = _policy(request.user, pk)
        form = GrantForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the year."))
            return redirect(policy)
        try:
            count = services.grant_without_application(
                actor=request.user, policy=policy, year=form.cleaned_data["year"]
            )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("%(n)d enterprise(s) granted without application.") % {"n": count}
            )
        return redirect(reverse("policies:application_list") + f"?policy={policy.pk}")


class WithoutApplicationView(LoginRequiredMixin, View):
    """免申即享 list: for each such policy in force, the eligible enterprises in scope
    with complete data and the amount computed, not yet granted this year."""

    def get(self, request):
        selectors.officials_only(request.user)
        year = year_of(request.GET.get("year"))
        rows = selectors.without_application_due(request.user, year)
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(content_type=XLSX)
            exports.due_write(response, rows, year)
            response["Content-Disposition"] = attachment(f"免申即享兑现清单-{year}.xlsx")
            return response
        page = page_of(request, rows)
        return render(
            request,
            "policies/without_application.html",
            {
                "page_obj": page,
                "year": year,
                "total": selectors.without_application_total(request.user, year),
                "query_string": query_string(request),
                "page_sizes": PAGE_SIZES,
            },
        )


# Applications -----------------------------------------------------------------------------


class ApplicationListView(PagedFilterView):
    template_name = "policies/application_list.html"
    filterset_class = ApplicationFilterSet
    paginate_by = 50

    def get_queryset(self):
        return selectors.application_list(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}


class ApplyView(LoginRequiredMixin, View):
    def _setup(self, request, pk):
        policy = _policy(request.user, pk)
        if not can_apply(request.user):
            raise PermissionDenied
        own = request.user.role == Role.ENTERPRISE
        return policy, own

    def get(self, request, pk):
        policy, own = self._setup(request, pk)
        form = ApplyForm(own=own, initial={"enterprise": request.GET.get("enterprise", "")})
        return render(request, "policies/apply.html", {"policy": policy, "form": form})

    def post(self, request, pk):
        policy, own = self._setup(request, pk)
        form = ApplyForm(request.POST, own=own)
        if form.is_valid():
            if own:
                enterprise = request.user.enterprise
            else:
                enterprise = (
                    enterprise_scope(request.user)
                    .filter(uscc=form.cleaned_data["enterprise"].strip().upper())
                    .first()
                )
            if enterprise is None:
                form.add_error("enterprise", _("No enterprise in your scope has this code."))
            else:
                try:
                    application = services.application_submit(
                        actor=request.user,
                        policy=policy,
                        enterprise=enterprise,
                        year=form.cleaned_data["year"],
                        statement=form.cleaned_data["statement"],
                        requested_amount=from_wan(form.cleaned_data["requested_wan"]),
                    )
                except (ValidationError, PermissionDenied) as exc:
                    form_errors_from(exc, form)
                else:
                    messages.success(request, _("Application submitted."))
                    return redirect(application)
        return render(request, "policies/apply.html", {"policy": policy, "form": form})


class ApplicationDetailView(LoginRequiredMixin, View):
    """An application with its steps, and the step the user may take next."""

    def _application(self, request, pk) -> Application:
        try:
            return selectors.application_get(request.user, pk)
        except Application.DoesNotExist:
            raise Http404 from None

    def _render(self, request, application, **forms_):
        user = request.user
        handler = services.application_can_handle(user, application.policy)
        context = {
            "application": application,
            "events": application.events.select_related("actor"),
            "can_review": handler and application.status == ApplicationStatus.SUBMITTED,
            "can_decide": handler
            and application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.REVIEWING),
            "can_disburse": handler and application.status == ApplicationStatus.APPROVED,
            "can_withdraw": application.status
            in (ApplicationStatus.SUBMITTED, ApplicationStatus.REVIEWING)
            and services.application_can_submit(user, application.enterprise),
            "decide_form": forms_.get("decide")
            or DecideForm(
                initial={
                    "amount_wan": application.requested_amount
                    and application.requested_amount / WAN
                }
            ),
            "disburse_form": forms_.get("disburse")
            or DisburseForm(
                initial={
                    "amount_wan": application.approved_amount and application.approved_amount / WAN
                }
            ),
        }
        return render(request, "policies/application_detail.html", context)

    def get(self, request, pk):
        return self._render(request, self._application(request, pk))

    def post(self, request, pk):
        application = self._application(request, pk)
        action = request.POST.get("action")
        try:
            seen = int(request.POST.get("version", ""))
        except ValueError:
            seen = -1
        user = request.user
        try:
            if action == "review":
                services.application_review(actor=user, application=application, seen=seen)
            elif action == "withdraw":
                services.application_withdraw(actor=user, application=application, seen=seen)
            elif action == "decide":
                form = DecideForm(request.POST)
                if not form.is_valid():
                    return self._render(request, application, decide=form)
                try:
                    services.application_decide(
                        actor=user,
                        application=application,
                        seen=seen,
                        approve=form.cleaned_data["approve"],
                        amount=from_wan(form.cleaned_data["amount_wan"]),
                        reason=form.cleaned_data["reason"],
                    )
                except ValidationError as exc:
                    form_errors_from(exc, form)
                    return self._render(request, application, decide=form)
            elif action == "disburse":
                form = DisburseForm(request.POST)
                if not form.is_valid():
                    return self._render(request, application, disburse=form)
                try:
                    services.application_disburse(
                        actor=user,
                        application=application,
                        seen=seen,
                        amount=from_wan(form.cleaned_data["amount_wan"]),
                        on=form.cleaned_data["on"],
                    )
                except ValidationError as exc:
                    form_errors_from(exc, form)
                    return self._render(request, application, disburse=form)
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect(application)


class StatisticsView(LoginRequiredMixin, View):
    def get(self, request):
        selectors.officials_only(request.user)
        year = year_of(request.GET.get("year"))
        stats = selectors.application_statistics(request.user, year)
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(content_type=XLSX)
            exports.statistics_write(response, stats)
            response["Content-Disposition"] = attachment(f"政策兑现统计-{year}.xlsx")
            return response
        this_year = timezone.localdate().year
        return render(
            request,
            "policies/statistics.html",
            {"stats": stats, "years": list(range(this_year, this_year - 4, -1))},
        )


# The cultivation ladder and plans ---------------------------------------------------------


class LadderView(LoginRequiredMixin, View):
    def get(self, request):
        selectors.officials_only(request.user)
        this_year = timezone.localdate().year
        years = list(range(this_year - 4, this_year + 1))
        history = selectors.ladder_years(request.user, years)
        return render(
            request,
            "policies/ladder.html",
            {
                "rungs": selectors.ladder(request.user),
                "history": history,
                "chart": {"labels": [str(label) for _t, label in Tier.choices], "rows": history},
                "tiers": Tier.choices,
                "can_edit": services.policy_can_edit(request.user),
            },
        )


def _tier(tier: str) -> str:
    if tier not in Tier.values:
        raise Http404
    return tier


class CandidatesView(LoginRequiredMixin, View):
    """The candidates of a rung (in scope), paginated or as XLSX."""

    def get(self, request, tier):
        selectors.officials_only(request.user)
        tier = _tier(tier)
        rows = selectors.tier_candidates(request.user, tier)
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(content_type=XLSX)
            exports.candidates_write(response, tier, rows)
            response["Content-Disposition"] = attachment(
                f"培育梯队候选企业-{Tier(tier).label}.xlsx"
            )
            return response
        page = page_of(request, rows)
        rule = TierRule.objects.filter(tier=tier).first()
        return render(
            request,
            "policies/candidates.html",
            {
                "tier": tier,
                "label": Tier(tier).label,
                "rule": rule,
                "description": selectors.rule_said(services.parsed(rule.rule_text)) if rule else "",
                "page_obj": page,
                "query_string": query_string(request),
                "page_sizes": PAGE_SIZES,
            },
        )


class TierRuleView(LoginRequiredMixin, View):
    def _setup(self, request, tier):
        if not services.policy_can_edit(request.user):
            raise PermissionDenied
        return _tier(tier), TierRule.objects.filter(tier=tier).first()

    def _render(self, request, tier, form):
        return render(
            request,
            "policies/tier_rule_form.html",
            {"tier": tier, "label": Tier(tier).label, "form": form, "fields": rules.FIELDS},
        )

    def get(self, request, tier):
        tier, rule = self._setup(request, tier)
        initial = {"rule_text": rule.rule_text, "note": rule.note} if rule else {}
        return self._render(request, tier, TierRuleForm(initial=initial))

    def post(self, request, tier):
        tier, _rule = self._setup(request, tier)
        form = TierRuleForm(request.POST)
        if form.is_valid():
            try:
                services.tier_rule_save(actor=request.user, tier=tier, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Rule saved."))
                return redirect(reverse("policies:candidates", args=[tier]))
        return self._render(request, tier, form)


class PlanListView(LoginRequiredMixin, View):
    def get(self, request):
        selectors.officials_only(request.user)
        plans = (
            CultivationPlan.objects.filter(enterprise__in=enterprise_scope(request.user))
            .select_related("enterprise", "enterprise__district", "official")
            .order_by("status", "target_year", "enterprise__name")
        )
        tier = request.GET.get("tier")
        if tier in Tier.values:
            plans = plans.filter(tier=tier)
        return render(
            request,
            "policies/plan_list.html",
            {
                "page_obj": page_of(request, plans),
                "tiers": Tier.choices,
                "tier": tier,
                "query_string": query_string(request),
                "page_sizes": PAGE_SIZES,
            },
        )


def _plan(user, pk) -> CultivationPlan:
    selectors.officials_only(user)
    return get_object_or_404(
        CultivationPlan.objects.select_related("enterprise", "official").filter(
            enterprise__in=enterprise_scope(user)
        ),
        pk=pk,
    )


class PlanDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        plan = _plan(request.user, pk)
        return render(
            request,
            "policies/plan_detail.html",
            {
                "plan": plan,
                "items": plan.items.all(),
                "today": timezone.localdate(),
                "progress": selectors.enterprise_years(plan.enterprise),
                "can_edit": plan_can_edit(request.user, plan.enterprise),
                "item_form": PlanItemForm(),
            },
        )


class PlanFormView(LoginRequiredMixin, View):
    """Create a plan for an enterprise (?enterprise=pk) or edit one."""

    def _setup(self, request, pk):
        if pk:
            plan = _plan(request.user, pk)
            enterprise = plan.enterprise
        else:
            selectors.officials_only(request.user)
            plan = None
            enterprise = get_object_or_404(
                enterprise_scope(request.user), pk=request.GET.get("enterprise") or 0
            )
        if not plan_can_edit(request.user, enterprise):
            raise PermissionDenied
        return plan, enterprise

    def _render(self, request, form, plan, enterprise):
        return render(
            request,
            "policies/plan_form.html",
            {"form": form, "plan": plan, "enterprise": enterprise},
        )

    def get(self, request, pk=None):
        plan, enterprise = self._setup(request, pk)
        initial = {"tier": request.GET.get("tier")} if request.GET.get("tier") else {}
        return self._render(request, PlanForm(instance=plan, initial=initial), plan, enterprise)

    def post(self, request, pk=None):
        plan, enterprise = self._setup(request, pk)
        # The form fills its own copy: the service compares the plan before and after.
        form = PlanForm(
            request.POST,
            instance=CultivationPlan.objects.get(pk=plan.pk)
            if plan
            else CultivationPlan(enterprise=enterprise),
        )
        if form.is_valid():
            try:
                saved = cultivation_plan_save(
                    actor=request.user, enterprise=enterprise, plan=plan, data=form.cleaned_data
                )
            except (ValidationError, PermissionDenied) as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Plan saved."))
                return redirect(saved)
        return self._render(request, form, plan, enterprise)


class PlanItemView(LoginRequiredMixin, View):
    """Add (POST to the plan) or change or delete a measure or milestone."""

    def post(self, request, pk, item_pk=None):
        plan = _plan(request.user, pk)
        if not plan_can_edit(request.user, plan.enterprise):
            raise PermissionDenied
        item = get_object_or_404(PlanItem, pk=item_pk, plan=plan) if item_pk else None
        if item is not None and request.POST.get("delete"):
            plan_item_delete(actor=request.user, item=item)
            messages.success(request, _("Item deleted."))
            return redirect(plan)
        form = PlanItemForm(
            request.POST,
            instance=PlanItem.objects.get(pk=item.pk) if item else PlanItem(plan=plan),
        )
        if form.is_valid():
            try:
                plan_item_save(actor=request.user, plan=plan, item=item, data=form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Item saved."))
        else:
            messages.error(
                request,
                "；".join(
                    f"{form.fields[f].label if f in form.fields else ''}{' '.join(e)}"
                    for f, e in form.errors.items()
                ),
            )
        return redirect(plan)
