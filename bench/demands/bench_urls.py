"""gongxin's URLs with the naive inbox beside them (worker.py makes this the ROOT_URLCONF),
so the naive page runs through the same middleware and template as the real one."""

from django.urls import path
from naive import naive_inbox

from gongxin.urls import urlpatterns as gongxin_urlpatterns

urlpatterns = [path("bench/naive/inbox/", naive_inbox), *gongxin_urlpatterns]
