from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionKind(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    COUNTY = "county", _("County")
    NATIONAL_ZONE = "national_zone", _("National development zone")
    PROVINCIAL_ZONE = "provincial_zone", _("Provincial development zone")
    PARK = "park", _("Park")


#: Kinds that are administrative divisions with a GB/T 2260 code.
ADMINISTRATIVE_KINDS = (RegionKind.CITY, RegionKind.DISTRICT, RegionKind.COUNTY)
#: Kinds an enterprise's district field may point at.
DISTRICT_KINDS = (RegionKind.DISTRICT, RegionKind.COUNTY)
#: Kinds an enterprise's park field may point at.
PARK_KINDS = (RegionKind.NATIONAL_ZONE, RegionKind.PROVINCIAL_ZONE, RegionKind.PARK)


class DepartmentKind(models.TextChoices):
    DIVISION = "division", _("Bureau division")
    MUNICIPAL = "municipal", _("Municipal department")


class Role(models.TextChoices):
    LEADER = "leader", _("Bureau leadership")
    STAFF = "staff", _("Division staff")
    DISTRICT = "district", _("District or park staff")
    DEPARTMENT = "department", _("Handling department")
    OFFICER = "officer", _("Service officer")
    CHAIN_OFFICE = "chain_office", _("Chain office")
    ENTERPRISE = "enterprise", _("Enterprise user")
    ADMIN = "admin", _("Administrator")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    IMPORT = "import", _("Imported")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logged out")
    TOKEN = "token", _("API token issued")
