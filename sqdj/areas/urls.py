from . import views

app_name = "areas"
urlpatterns = views.AreaViews.urls()
