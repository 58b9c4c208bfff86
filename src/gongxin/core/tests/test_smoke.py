from stdnum.cn import uscc

from gongxin.enterprises.tests.factories import EnterpriseFactory, make_uscc


def test_make_uscc_is_valid():
    for n in (0, 1, 30, 31, 99_999, 10**9):
        assert uscc.is_valid(make_uscc(n))


def test_enterprise_factory(city):
    enterprise = EnterpriseFactory()
    assert enterprise.district.code == "360121"
