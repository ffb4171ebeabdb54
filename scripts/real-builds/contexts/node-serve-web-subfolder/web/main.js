document.getElementById('greeting').textContent = 'hello from ' + 'web/';
