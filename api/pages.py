"""The one web page of the API: a signed-in person sees, issues or replaces their own token.

A department's IT staff set their system up from here without asking an administrator; the token acts with
exactly this person's rights, so issuing it needs no further permission.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token


@login_required
def token(request):
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        Token.objects.create(user=request.user)
        messages.success(request, _("A new API token was issued; the previous one no longer works."))
        return redirect("api:token")
    context = {"token": Token.objects.filter(user=request.user).first()}
    return render(request, "api/token.html", context)
