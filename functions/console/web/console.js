document.getElementById('status').textContent = 'Console coming soon.';
