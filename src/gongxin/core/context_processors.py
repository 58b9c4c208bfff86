from gongxin.core.navigation import MENU
from gongxin.core.notify import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    section = request.path.strip("/").split("/")[0]
    items = [item for item in MENU if item.visible(user)]
    return {"menu": items, "current_section": section, "unread": unread_count(user)}
