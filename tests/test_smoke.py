from django.conf import settings


def test_data_dir_is_temporary():
    assert "sqdj-test-" in str(settings.DATA_DIR)
