"""Staff (工作人员) and their sign-in attempts."""
